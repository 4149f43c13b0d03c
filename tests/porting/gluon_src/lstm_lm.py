"""An LSTM language model (embedding, LSTM, decoder), written for fwcheat's port tests."""

import mxnet as mx
from mxnet import gluon
from mxnet.gluon import nn, rnn

VOCAB, EMBED, HIDDEN = 50, 16, 24
INPUT_SHAPE = (7, 3)  # (time, batch): Gluon's default TNC layout
INPUT_INT = VOCAB


class RNNModel(gluon.Block):
    def __init__(self, **kwargs):
        super(RNNModel, self).__init__(**kwargs)
        with self.name_scope():
            self.drop = nn.Dropout(0.2)
            self.encoder = nn.Embedding(VOCAB, EMBED)
            self.rnn = rnn.LSTM(HIDDEN, num_layers=2, dropout=0.2, input_size=EMBED)
            self.decoder = nn.Dense(VOCAB, in_units=HIDDEN, flatten=False)

    def forward(self, inputs):
        emb = self.drop(self.encoder(inputs))
        output = self.rnn(emb)
        output = self.drop(output)
        return self.decoder(output).reshape((-3, 0))


def build():
    return RNNModel()
