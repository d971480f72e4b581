"""Datasets (``kerax.datasets``): the Keras datasets, plus the bundled ``digits``.

Each ``load_data()`` downloads its files once into ``$KERAX_HOME/datasets``
(default ``~/.kerax/datasets``) and checks them against Keras's checksums.
``digits`` ships with kerax and works offline.
"""

from kerax.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
]
