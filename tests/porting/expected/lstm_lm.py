"""An LSTM language model (embedding, LSTM, decoder), written for fwcheat's port tests."""

import torch
from torch import nn

VOCAB, EMBED, HIDDEN = 50, 16, 24
INPUT_SHAPE = (7, 3)  # (time, batch): Gluon's default TNC layout
INPUT_INT = VOCAB


class RNNModel(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        self.drop = nn.Dropout(p=0.2)
        self.encoder = nn.Embedding(VOCAB, EMBED)
        self.rnn = nn.LSTM(EMBED, HIDDEN, num_layers=2, dropout=0.2)
        self.decoder = nn.Linear(HIDDEN, VOCAB)

    def forward(self, inputs):
        emb = self.drop(self.encoder(inputs))
        output = self.rnn(emb)[0]
        output = self.drop(output)
        return self.decoder(output).flatten(0, 1)


def build():
    return RNNModel()
