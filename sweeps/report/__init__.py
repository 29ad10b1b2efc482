"""The sweep report: ``report.md``, ``report.html`` and the study's plots."""
