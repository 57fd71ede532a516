"""Printing: render_pdf() (the one way to make a PDF), the print fonts (fonts: one stack for every PDF),
text fitted and wrapped to boxes as the PDF will print it, and joining finished PDFs."""

from eventapp.printing.fonts import FONTS, STACK
from eventapp.printing.render import PDF_TEMPLATES, ForbiddenResource, render_html, render_pdf

__all__ = ["FONTS", "PDF_TEMPLATES", "STACK", "ForbiddenResource", "render_html", "render_pdf"]
