"""Loaders for public transaction logs stored as local files.

custseg ships no third-party data: these functions read a file the user has
downloaded and return a clean transaction frame with the columns
``customer_id``, ``date``, ``amount`` (and ``order_id`` when the source has
one), ready for :func:`custseg.rfm_table`.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd

__all__ = ["load_cdnow", "load_online_retail"]


def _check_file(path):
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No such data file: {path!r}.")
    return path


def load_cdnow(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the CDNOW transaction log (``CDNOW_master.txt`` or the 1/10 sample).

    The CDNOW data (Fader and Hardie) record the purchases of the cohort of
    customers who first bought at CDNOW in the first quarter of 1997, until
    June 1998.  Both the master file (with a header line) and the 1/10 sample
    file (no header, an extra ``sample_id`` column) are recognised.

    Parameters
    ----------
    path : str or path-like
        Location of the file.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (str, zero-padded as in the file), ``date``
        (datetime64), ``amount`` (float, dollars) and ``n_cds`` (int).  The
        1/10 sample adds ``sample_id``.  Rows keep the file's order; none is
        dropped.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> log = load_cdnow("../shared/data/cdnow_master.txt")  # doctest: +SKIP
    >>> log.shape  # doctest: +SKIP
    (69659, 4)
    """
    path = _check_file(path)
    with open(path, encoding="ascii") as handle:
        first = handle.readline()
    has_header = any(ch.isalpha() for ch in first)
    if has_header:
        raw = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
        raw = raw.rename(columns={"number_of_cds": "n_cds", "dollar_value": "amount"})
    else:
        raw = pd.read_csv(
            path,
            sep=r"\s+",
            header=None,
            names=["customer_id", "sample_id", "date", "n_cds", "amount"],
            dtype={"customer_id": str, "sample_id": str, "date": str},
        )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    raw["amount"] = raw["amount"].astype(float)
    columns = ["customer_id", "date", "amount", "n_cds"]
    if "sample_id" in raw:
        columns.append("sample_id")
    return raw[columns]


def load_online_retail(
    path: str | os.PathLike[str], *, clean: bool = True
) -> pd.DataFrame:
    """Read the UCI Online Retail (I) log and return it as a transaction frame.

    Parameters
    ----------
    path : str or path-like
        The CSV file (optionally gzipped) with the UCI columns ``InvoiceNo``,
        ``StockCode``, ``Description``, ``Quantity``, ``InvoiceDate``,
        ``UnitPrice``, ``CustomerID`` and ``Country``.
    clean : bool, default=True
        If True, keep the rows usable for customer-level RFM: a customer id is
        present and ``Quantity > 0`` (this drops cancellations and returns).
        A ``UserWarning`` counts each group of rows dropped.  If False, all
        rows are returned (missing ids as ``<NA>``, returns as negative
        amounts) so that ``rfm_table``'s own policies can handle them.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (str such as ``"17850"``), ``order_id``
        (the invoice, str), ``date`` (datetime64), ``amount``
        (Quantity × UnitPrice, float), ``quantity``, ``unit_price``,
        ``stock_code`` and ``country``.

    Examples
    --------
    >>> from custseg.datasets import load_online_retail
    >>> log = load_online_retail("../shared/data/online_retail_I.csv.gz")  # doctest: +SKIP
    """
    path = _check_file(path)
    raw = pd.read_csv(
        path,
        dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": "float64"},
    )
    customer = raw["CustomerID"]
    customer_id = pd.Series(pd.NA, index=raw.index, dtype="string")
    known = customer.notna().to_numpy()
    customer_id[known] = customer[known].astype(np.int64).astype(str).to_numpy()
    out = pd.DataFrame(
        {
            "customer_id": customer_id,
            "order_id": raw["InvoiceNo"].astype("string"),
            "date": pd.to_datetime(raw["InvoiceDate"], format="%Y-%m-%d %H:%M:%S"),
            "amount": raw["Quantity"].to_numpy() * raw["UnitPrice"].to_numpy(),
            "quantity": raw["Quantity"],
            "unit_price": raw["UnitPrice"],
            "stock_code": raw["StockCode"],
            "country": raw["Country"],
        }
    )
    if not clean:
        return out
    missing = ~known
    not_positive = known & (out["quantity"].to_numpy() <= 0)
    if missing.any() or not_positive.any():
        warnings.warn(
            f"load_online_retail dropped {int(missing.sum())} rows without a "
            f"CustomerID and {int(not_positive.sum())} rows with Quantity <= 0 "
            f"(cancellations and returns); pass clean=False to keep them.",
            UserWarning,
            stacklevel=2,
        )
    return out[known & ~not_positive].reset_index(drop=True)
