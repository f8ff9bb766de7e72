"""Documents drawn as PDFs (reportlab, QR codes with segno): one module per document, built from plain values."""
