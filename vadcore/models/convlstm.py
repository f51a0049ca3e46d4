"""Convolutional LSTM (Shi et al. 2015), the recurrent core of the ConvLSTM autoencoder
(Chong & Tay 2017; notebook 01). PyTorch has no ConvLSTM layer, so it is written here.

One step, with ``*`` a 2-D convolution over the concatenation ``[x_t, h_{t-1}]`` and ⊙ the
element-wise product::

    i, f, g, o = split(W * [x_t, h_{t-1}] + b)
    c_t = σ(f) ⊙ c_{t-1} + σ(i) ⊙ tanh(g)
    h_t = σ(o) ⊙ tanh(c_t)
"""
from __future__ import annotations

import torch
from torch import nn


class ConvLSTMCell(nn.Module):
    """One ConvLSTM step: ``(x_t, (h, c)) → (h_t, c_t)``; 'same' padding keeps the size."""

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3):
        super().__init__()
        self.hidden_channels = hidden_channels
        self.gates = nn.Conv2d(in_channels + hidden_channels, 4 * hidden_channels, kernel_size,
                               padding=kernel_size // 2)

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None):
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_channels, *x.shape[2:])
            state = (zeros, zeros)
        h, c = state
        i, f, g, o = self.gates(torch.cat([x, h], dim=1)).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class ConvLSTM(nn.Module):
    """A ConvLSTM layer over a sequence ``(B, T, C, H, W)`` → hidden states ``(B, T, hidden, H, W)``
    (Keras' ``ConvLSTM2D(return_sequences=True)``)."""

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3):
        super().__init__()
        self.cell = ConvLSTMCell(in_channels, hidden_channels, kernel_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        state, outputs = None, []
        for t in range(x.shape[1]):
            state = self.cell(x[:, t], state)
            outputs.append(state[0])
        return torch.stack(outputs, dim=1)
