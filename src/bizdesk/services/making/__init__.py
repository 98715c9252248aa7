"""Making goods: bills of materials (and, above them, assembly). Sits between trade and
inventory: it moves stock and posts to the books; trade may expand a kit through it."""
