"""Results of ``benchmarks/gan_clean.py`` (JSON and samples), read by the GAN chapter.

Each ``gan_clean_<model>_<seed>.json`` holds the judged quality at every checkpoint and
the fingerprint of the training data and settings
(:func:`physgen.nn.gan_training.training_fingerprint`); the ``.npz`` beside it holds the
500 samples judged at the last checkpoint.
"""
