"""Networks. Models never read files: notebooks and the training loops wire them to data."""
from vadcore.models.conv_ae import ConvAE
from vadcore.models.convlstm import ConvLSTM, ConvLSTMCell
from vadcore.models.patchgan import PatchDiscriminator
from vadcore.models.st_autoencoder import SpatioTemporalAE
from vadcore.models.trivial import CopyLast, LinearExtrapolation
from vadcore.models.unet import UNet

__all__ = ["ConvAE", "ConvLSTM", "ConvLSTMCell", "CopyLast", "LinearExtrapolation", "PatchDiscriminator", "SpatioTemporalAE",
           "UNet"]
