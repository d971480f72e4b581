"""Low-level engine pieces: dtypes, tensor conversion, symbolic tensors, random."""

from kerax.backend.compilation_cache import enable_default_cache
from kerax.backend.dtypes import is_float_dtype, is_int_dtype, standardize_dtype
from kerax.backend.tensors import convert_to_numpy, convert_to_tensor, is_tensor

enable_default_cache()  # persistent XLA cache in ~/.kerax (KERAX_COMPILATION_CACHE=0 opts out)

__all__ = [
    "convert_to_numpy",
    "convert_to_tensor",
    "is_float_dtype",
    "is_int_dtype",
    "is_tensor",
    "standardize_dtype",
]
