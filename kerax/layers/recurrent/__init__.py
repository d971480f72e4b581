"""Recurrent layers: cells, the ``RNN`` loop (``lax.scan``), wrappers."""

from kerax.layers.recurrent.bidirectional import Bidirectional
from kerax.layers.recurrent.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from kerax.layers.recurrent.gru import GRU, GRUCell
from kerax.layers.recurrent.lstm import LSTM, LSTMCell
from kerax.layers.recurrent.rnn import RNN
from kerax.layers.recurrent.simple_rnn import SimpleRNN, SimpleRNNCell
from kerax.layers.recurrent.stacked_rnn_cells import StackedRNNCells

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Bidirectional",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "GRUCell",
    "LSTMCell",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
]
