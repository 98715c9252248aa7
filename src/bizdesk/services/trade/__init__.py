"""What is sold and bought: deals in the pipeline, sales and purchase orders and their lines
(their documents as PDF: services/papers).
"""
