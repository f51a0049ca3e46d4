"""A borrowed GPU slot: the units it works through (:mod:`~vadcore.slot.units`), what it checks
first (:mod:`~vadcore.slot.checks`), the files it returns as it goes (:mod:`~vadcore.slot.archive`)
and the command itself (:mod:`~vadcore.slot.run`, ``tools/gpu-run.sh``)."""
