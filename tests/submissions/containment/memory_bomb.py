import torch


def conv2d(*args, **kwargs):
    hog = []
    while True:  # 256 MB at a time until the memory limit stops it
        hog.append(torch.ones(64 * 1024 * 1024))
