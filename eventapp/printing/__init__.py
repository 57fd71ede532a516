"""Printing: render_pdf() (the one way to make a PDF), the shipped fonts, text fitted and wrapped to boxes
as the PDF will print it, and joining finished PDFs."""

from eventapp.printing.render import FONTS, PDF_TEMPLATES, ForbiddenResource, render_html, render_pdf

__all__ = ["FONTS", "PDF_TEMPLATES", "ForbiddenResource", "render_html", "render_pdf"]
