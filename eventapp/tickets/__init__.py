"""The 受付票 (reception ticket): the on-screen ticket, the A4 PDF, the QR image, and the PDF attached to
confirmation mails. Above registration on the ladder; a sibling of badges and check-in."""
