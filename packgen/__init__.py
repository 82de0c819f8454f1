"""packgen: build a safeguarding partnership's meeting pack from officers' workbooks."""

__version__ = "0.1.0"
