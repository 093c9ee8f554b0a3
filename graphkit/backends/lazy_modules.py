"""Modules imported on first use: a store opened to answer a query need not load pyarrow
(~0.13 s of every `graphkit query run`), which only its writes and bulk reads use."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule(ModuleType):
    """Stands for the module it is named after until an attribute is read, then imports it."""

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attr)
