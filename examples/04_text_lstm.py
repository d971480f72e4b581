"""A text classifier: ``Embedding(mask_zero=True)`` + ``LSTM`` on synthetic sequences.

Each "sentence" is a padded sequence of word ids (0 is padding). The label says
whether the sentence contains the word 7 more often than the word 3. Because the
embedding masks the padding, the LSTM skips the padded steps.
"""

import numpy as np

import kerax as keras
from kerax import layers
from kerax.preprocessing.sequence import pad_sequences

VOCABULARY = 20
LENGTH = 12


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Variable-length sequences padded with zeros at the end, and their labels."""
    rng = np.random.default_rng(seed)
    sequences = [
        rng.integers(1, VOCABULARY, size=rng.integers(3, LENGTH + 1)).tolist()
        for _ in range(n)
    ]
    x = pad_sequences(sequences, maxlen=LENGTH, padding="post")
    y = np.array([s.count(7) > s.count(3) for s in sequences], dtype="int32")
    return x, y


def main(fast: bool = False) -> float:
    """Train the classifier and return its accuracy on fresh sequences."""
    keras.utils.set_random_seed(0)
    x, y = make_data(256 if fast else 3000)
    model = keras.Sequential(
        [
            keras.Input(shape=(LENGTH,), dtype="int32"),
            layers.Embedding(VOCABULARY, 16, mask_zero=True),
            layers.LSTM(32),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    model.summary()
    model.fit(x, y, batch_size=64, epochs=2 if fast else 12, verbose=0 if fast else 2)
    x_test, y_test = make_data(500, seed=1)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"accuracy on new sequences {accuracy:.3f}")
    return float(accuracy)


if __name__ == "__main__":
    main()
