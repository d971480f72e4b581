"""Layers (``kerax.layers``), re-exported by family; each family lists ``__all__``."""

from kerax.layers.activations import *  # noqa: F403
from kerax.layers.attention import *  # noqa: F403
from kerax.layers.convolutional import *  # noqa: F403
from kerax.layers.core import *  # noqa: F403
from kerax.layers.core.input_layer import Input as Input
from kerax.layers.core.input_layer import InputLayer as InputLayer
from kerax.layers.input_spec import InputSpec as InputSpec
from kerax.layers.layer import Layer as Layer
from kerax.layers.merging import *  # noqa: F403
from kerax.layers.normalization import *  # noqa: F403
from kerax.layers.op_layer import OpLayer as OpLayer  # sets the symbolic-op hook
from kerax.layers.pooling import *  # noqa: F403
from kerax.layers.preprocessing import *  # noqa: F403
from kerax.layers.recurrent import *  # noqa: F403
from kerax.layers.regularization import *  # noqa: F403
from kerax.layers.reshaping import *  # noqa: F403
