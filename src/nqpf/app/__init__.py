"""The local web workbench (``nqpf serve``): the studies on a user's own table, in a browser.

:func:`make_app` builds the page; :mod:`nqpf.app.uploads` checks uploaded files by size and
content before the table reader sees them. The app computes nothing itself: it calls the
studies (:data:`nqpf.studies.STUDIES` through :func:`nqpf.report.build_report`), the figure
drawer and the data readers and writers.
"""

from nqpf.app.app import LABELS, make_app
from nqpf.app.uploads import MAX_UPLOAD_BYTES, Upload, read_system_upload, read_upload

__all__ = ["LABELS", "MAX_UPLOAD_BYTES", "Upload", "make_app", "read_system_upload", "read_upload"]
