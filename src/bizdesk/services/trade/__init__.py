"""What is sold and bought: deals in the pipeline, sales and purchase orders, their lines and the
documents they print.
"""
