import h5py, torch
from torch.utils.data import Dataset

class LatentXrdPatterns(Dataset):  # (pattern, label) pairs; patterns of unknown phases left out
    def __init__(self, path):
        self.path, self.file = path, None
        with h5py.File(path, "r") as f:
            self.labels, unknown = f["labels"][()], f["phase_roles"].asstr()[()] == "unknown"
        self.rows = [r for r, k in enumerate(self.labels) if k < 0 or not unknown[k]]
    def __len__(self): return len(self.rows)
    def __getitem__(self, i):
        self.file = self.file or h5py.File(self.path, "r")  # one handle per DataLoader worker
        return torch.from_numpy(self.file["patterns"][self.rows[i]]), int(self.labels[self.rows[i]])
