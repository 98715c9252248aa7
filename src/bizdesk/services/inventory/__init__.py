"""Stock: products, locations and the moves that value them."""
