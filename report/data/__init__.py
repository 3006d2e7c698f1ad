"""The data layer: IMDB and Reuters-21578 as tokenised, padded, cached numpy arrays.

No TensorFlow here: tokenising and padding are plain Python/numpy (Keras'
``padding='pre', truncating='pre'``). Importing this package does no work.

    from report.data import TextSettings, load_imdb, load_reuters, stratified_subset
    ds = load_imdb(paths.data, paths.cache, TextSettings())
"""

from report.data.checksum import sha256_file
from report.data.dataset import TextDataset, TextSettings, stratified_subset
from report.data.errors import DataError
from report.data.loader import load_imdb, load_reuters
from report.data.sources import source_checksums

__all__ = [
    "DataError",
    "TextDataset",
    "TextSettings",
    "load_imdb",
    "load_reuters",
    "sha256_file",
    "source_checksums",
    "stratified_subset",
]
