// Precompiled header shared by every LibTorch target (see cmake/DriftTorch.cmake).
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
