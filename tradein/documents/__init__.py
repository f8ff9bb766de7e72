"""Trade-in documents, each built from plain values by one module: the prepaid shipping label
(`label`), the data-erasure certificate (`certificate`) and the SEPA credit transfer file (`sepa`).

PDFs are drawn with reportlab (installs from wheels alone, no system library) and QR codes with
segno. Callers pick the language (`translation.override`) before building a PDF.
"""
