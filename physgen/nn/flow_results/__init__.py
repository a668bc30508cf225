"""Results of ``benchmarks/flow_clean.py`` (JSON, samples and weights), read by chapters 6 and 8.

Each ``flow_clean_<model>_<seed>.json`` holds the judged quality at every checkpoint, the
loss per 100 steps, the training time and the fingerprint of the training data and
settings (:func:`physgen.training_fingerprint`); the ``.npz`` beside it holds the 500
samples drawn at the end and, for the flows in principal components, the velocity
network's weights (:func:`physgen.nn.flow.restore_flow`).
"""
