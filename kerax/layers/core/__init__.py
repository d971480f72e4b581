"""Core layers: dense, embedding, activation, dropout, lambda, masking, wrappers."""

from kerax.layers.core.activation import Activation
from kerax.layers.core.dense import Dense
from kerax.layers.core.dropout import Dropout
from kerax.layers.core.einsum_dense import EinsumDense
from kerax.layers.core.embedding import Embedding
from kerax.layers.core.identity import Identity
from kerax.layers.core.lambda_layer import Lambda
from kerax.layers.core.masking import Masking
from kerax.layers.core.reversible_embedding import ReversibleEmbedding
from kerax.layers.core.time_distributed import TimeDistributed
from kerax.layers.core.wrapper import Wrapper

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "EinsumDense",
    "Embedding",
    "Identity",
    "Lambda",
    "Masking",
    "ReversibleEmbedding",
    "TimeDistributed",
    "Wrapper",
]
