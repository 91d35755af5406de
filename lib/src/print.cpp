// printing: owned by the printing engineer
