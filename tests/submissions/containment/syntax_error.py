def conv2d(input, weight:
    return input
