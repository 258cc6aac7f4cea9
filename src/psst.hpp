#pragma once
// psst's public C++ API in one include: build a model (ModelBuilder), or read
// a model file (lang::read_model_file), run it (run::Simulation), observe each
// step (run::StepObserver) or stream it to HDF5 (run::Hdf5Recorder).
#include "lang/model_builder.hpp"
#include "lang/model_file.hpp"
#include "run/hdf5_recorder.hpp"
#include "run/simulation.hpp"
#include "version.hpp"
