#pragma once
// The MPI session of a process (MPI_Init_thread ... MPI_Finalize, RAII). psst
// joins an MPI job only when an MPI launcher started it (mpirun, srun: the
// launcher's environment variables are set) and it was built with MPI; the
// same binary started directly runs as one process and never touches MPI.
// mpi_communicator.cpp, which implements this, is the only file that includes mpi.h.
namespace psst::comm {

// Whether psst was built with MPI (CMake option PSST_MPI).
bool mpi_built();

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  bool active() const { return active_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ends every rank of the job with `status` (MPI_Abort); without MPI, this process.
  [[noreturn]] void abort(int status) const;

 private:
  bool active_ = false;
  int rank_ = 0, size_ = 1;
};

}  // namespace psst::comm
