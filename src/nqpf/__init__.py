"""nqpf: measure and explain China's new quality productive forces (新质生产力)."""

from nqpf import errors
from nqpf.regions import normalize
from nqpf.validation import ValidationReport

__all__ = ["ValidationReport", "errors", "normalize"]
__version__ = "0.1.0"
