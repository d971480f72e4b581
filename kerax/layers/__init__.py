"""Layers (``kerax.layers``), re-exported by family; each family lists ``__all__``."""

from kerax.layers.activations import *  # noqa: F403
from kerax.layers.attention import *  # noqa: F403
from kerax.layers.convolutional import *  # noqa: F403
from kerax.layers.core import *  # noqa: F403
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.layers.merging import *  # noqa: F403
from kerax.layers.normalization import *  # noqa: F403
from kerax.layers.pooling import *  # noqa: F403
from kerax.layers.preprocessing import *  # noqa: F403
from kerax.layers.recurrent import *  # noqa: F403
from kerax.layers.regularization import *  # noqa: F403
from kerax.layers.reshaping import *  # noqa: F403
from kerax.layers.core.input_layer import Input, InputLayer  # noqa: E402
from kerax.layers.op_layer import OpLayer  # noqa: E402  (registers the symbolic-op hook)

__all__ = ["Input", "InputLayer", "InputSpec", "Layer", "OpLayer"]
