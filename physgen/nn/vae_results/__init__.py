"""Results of ``benchmarks/vae_clean.py`` (JSON and samples), read by chapters 4 and 8.

Each ``vae_clean_<seed>.json`` holds the judged quality at every checkpoint epoch, the
loss per epoch, the training time and the fingerprint of the training data and settings
(:func:`physgen.training_fingerprint`); the ``.npz`` beside it holds the 500 samples of
the last checkpoint.
"""
