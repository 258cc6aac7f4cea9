// The Communicator over MPI_COMM_WORLD, and the MPI session. The only file of
// psst that includes mpi.h. Every MPI call goes through check(), which names
// the call, this file's line and MPI's error string. Built without MPI
// (PSST_HAVE_MPI unset), the session is never active and every process is a
// SingleProcess.
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <limits>
#include <memory>
#include <source_location>
#include <string>

#include <fmt/format.h>

#include "comm/communicator.hpp"
#include "comm/mpi_session.hpp"
#include "model/error.hpp"

#if PSST_HAVE_MPI
#include <mpi.h>

namespace psst::comm {

namespace {

void check(int code, const char* call, std::source_location where = std::source_location::current()) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw InternalError(fmt::format("{} failed ({}:{}): {}", call, where.file_name(), where.line(),
                                  std::string(text, static_cast<std::size_t>(length))));
}

int as_count(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw UserError(fmt::format("{}: {} values are more than one MPI message can carry ({})", what, n,
                                std::numeric_limits<int>::max()));
  return static_cast<int>(n);
}

// Displacements of consecutive blocks of the given counts.
std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (std::size_t r = 1; r < counts.size(); ++r) d[r] = d[r - 1] + counts[r - 1];
  return d;
}

// Adds the wall time and the process CPU time of its scope to a Traffic.
class Stopwatch {
 public:
  explicit Stopwatch(Traffic& traffic)
      : traffic_(traffic), start_(std::chrono::steady_clock::now()), cpu_start_(std::clock()) {}
  ~Stopwatch() {
    traffic_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    traffic_.cpu_seconds += static_cast<double>(std::clock() - cpu_start_) / CLOCKS_PER_SEC;
  }
  Stopwatch(const Stopwatch&) = delete;
  Stopwatch& operator=(const Stopwatch&) = delete;

 private:
  Traffic& traffic_;
  std::chrono::steady_clock::time_point start_;
  std::clock_t cpu_start_;
};

// Which neurons of one population go where at each halo exchange.
struct HaloPlan {
  std::vector<std::vector<std::uint32_t>> send, receive;  // per peer rank: global indices
  std::vector<std::vector<double>> send_values, receive_values;
  std::vector<MPI_Request> requests;
};

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    MPI_Comm node = MPI_COMM_NULL;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
          "MPI_Comm_split_type");
    check(MPI_Comm_size(node, &node_size_), "MPI_Comm_size");
    check(MPI_Comm_free(&node), "MPI_Comm_free");
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int ranks_on_this_node() const override { return node_size_; }
  void plan_halo(std::size_t population, const Partition& partition, std::vector<std::uint32_t> needed) override;
  void exchange_halo(std::size_t population, std::span<double> values) override;
  void gather_spikes(std::vector<std::vector<std::uint32_t>>& spikes) override;
  bool any(bool local) override {
    const Stopwatch stopwatch(traffic_);
    int in = local ? 1 : 0, out = 0;
    check(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
    return out != 0;
  }
  std::uint64_t min(std::uint64_t local) override {
    const Stopwatch stopwatch(traffic_);
    return reduce(local, MPI_MIN);
  }
  std::uint64_t sum(std::uint64_t local) override { return reduce(local, MPI_SUM); }
  std::uint64_t exclusive_sum(std::uint64_t local) override {
    std::uint64_t out = 0;
    check(MPI_Exscan(&local, &out, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD), "MPI_Exscan");
    return rank_ == 0 ? 0 : out;  // MPI leaves rank 0's result undefined
  }
  std::vector<double> gather(std::span<const double> local) override;
  void broadcast(std::vector<double>& values) override;
  std::vector<double> scatter(const std::vector<double>& whole, std::size_t local_count) override;
  void barrier() override { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }
  Traffic traffic() const override { return traffic_; }

 private:
  std::uint64_t reduce(std::uint64_t local, MPI_Op op) {
    std::uint64_t out = 0;
    check(MPI_Allreduce(&local, &out, 1, MPI_UINT64_T, op, MPI_COMM_WORLD), "MPI_Allreduce");
    return out;
  }
  // Every rank's count, on rank 0 (all ranks, when `everywhere`).
  std::vector<int> counts(int local, bool everywhere) {
    std::vector<int> all(static_cast<std::size_t>(size_), 0);
    if (everywhere)
      check(MPI_Allgather(&local, 1, MPI_INT, all.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
    else
      check(MPI_Gather(&local, 1, MPI_INT, all.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
    return all;
  }

  int rank_ = 0, size_ = 1, node_size_ = 1;
  std::vector<HaloPlan> halos_;  // by population
  std::vector<std::uint32_t> flat_spikes_, all_spikes_;
  std::vector<int> spike_counts_, all_spike_counts_, receive_counts_;
  Traffic traffic_;
};

void MpiCommunicator::plan_halo(std::size_t population, const Partition& partition, std::vector<std::uint32_t> needed) {
  if (halos_.size() <= population) halos_.resize(population + 1);
  HaloPlan& plan = halos_[population];
  const auto ranks = static_cast<std::size_t>(size_);
  plan.receive.assign(ranks, {});
  for (std::uint32_t neuron : needed) plan.receive[static_cast<std::size_t>(partition.owner(population, neuron))].push_back(neuron);
  // Tell every owner which of its neurons this rank reads; learn what others read of ours.
  std::vector<int> asked(ranks), asking(ranks);
  std::vector<std::uint32_t> flat;
  for (std::size_t r = 0; r < ranks; ++r) {
    asked[r] = as_count(plan.receive[r].size(), "halo plan");
    flat.insert(flat.end(), plan.receive[r].begin(), plan.receive[r].end());
  }
  check(MPI_Alltoall(asked.data(), 1, MPI_INT, asking.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Alltoall");
  const std::vector<int> asked_at = displacements(asked), asking_at = displacements(asking);
  std::vector<std::uint32_t> requests(static_cast<std::size_t>(asking_at.back() + asking.back()));
  check(MPI_Alltoallv(flat.data(), asked.data(), asked_at.data(), MPI_UINT32_T, requests.data(), asking.data(),
                      asking_at.data(), MPI_UINT32_T, MPI_COMM_WORLD),
        "MPI_Alltoallv");
  plan.send.assign(ranks, {});
  plan.send_values.assign(ranks, {});
  plan.receive_values.assign(ranks, {});
  for (std::size_t r = 0; r < ranks; ++r) {
    auto first = requests.begin() + asking_at[r];
    plan.send[r].assign(first, first + asking[r]);
    plan.send_values[r].resize(plan.send[r].size());
    plan.receive_values[r].resize(plan.receive[r].size());
  }
}

void MpiCommunicator::exchange_halo(std::size_t population, std::span<double> values) {
  if (population >= halos_.size()) return;
  const Stopwatch stopwatch(traffic_);
  HaloPlan& plan = halos_[population];
  const int tag = static_cast<int>(population % 32768);
  plan.requests.clear();
  for (std::size_t r = 0; r < plan.receive.size(); ++r) {
    if (plan.receive[r].empty()) continue;
    plan.requests.emplace_back();
    check(MPI_Irecv(plan.receive_values[r].data(), static_cast<int>(plan.receive_values[r].size()), MPI_DOUBLE,
                    static_cast<int>(r), tag, MPI_COMM_WORLD, &plan.requests.back()),
          "MPI_Irecv");
  }
  for (std::size_t r = 0; r < plan.send.size(); ++r) {
    if (plan.send[r].empty()) continue;
    for (std::size_t k = 0; k < plan.send[r].size(); ++k) plan.send_values[r][k] = values[plan.send[r][k]];
    plan.requests.emplace_back();
    check(MPI_Isend(plan.send_values[r].data(), static_cast<int>(plan.send_values[r].size()), MPI_DOUBLE,
                    static_cast<int>(r), tag, MPI_COMM_WORLD, &plan.requests.back()),
          "MPI_Isend");
    traffic_.bytes += plan.send_values[r].size() * sizeof(double);
    traffic_.messages += 1;
  }
  check(MPI_Waitall(static_cast<int>(plan.requests.size()), plan.requests.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
  for (std::size_t r = 0; r < plan.receive.size(); ++r)
    for (std::size_t k = 0; k < plan.receive[r].size(); ++k) values[plan.receive[r][k]] = plan.receive_values[r][k];
}

// One MPI_Allgather of the per-population counts, one MPI_Allgatherv of the spikes.
void MpiCommunicator::gather_spikes(std::vector<std::vector<std::uint32_t>>& spikes) {
  const Stopwatch stopwatch(traffic_);
  const std::size_t populations = spikes.size(), ranks = static_cast<std::size_t>(size_);
  spike_counts_.resize(populations);
  all_spike_counts_.resize(populations * ranks);
  flat_spikes_.clear();
  for (std::size_t p = 0; p < populations; ++p) {
    spike_counts_[p] = as_count(spikes[p].size(), "spikes of a step");
    flat_spikes_.insert(flat_spikes_.end(), spikes[p].begin(), spikes[p].end());
  }
  check(MPI_Allgather(spike_counts_.data(), static_cast<int>(populations), MPI_INT, all_spike_counts_.data(),
                      static_cast<int>(populations), MPI_INT, MPI_COMM_WORLD),
        "MPI_Allgather");
  receive_counts_.assign(ranks, 0);
  for (std::size_t r = 0; r < ranks; ++r)
    for (std::size_t p = 0; p < populations; ++p) receive_counts_[r] += all_spike_counts_[r * populations + p];
  const std::vector<int> at = displacements(receive_counts_);
  all_spikes_.resize(static_cast<std::size_t>(at.back() + receive_counts_.back()));
  check(MPI_Allgatherv(flat_spikes_.data(), static_cast<int>(flat_spikes_.size()), MPI_UINT32_T, all_spikes_.data(),
                       receive_counts_.data(), at.data(), MPI_UINT32_T, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  traffic_.bytes += (populations + flat_spikes_.size()) * sizeof(std::uint32_t);
  traffic_.messages += 2;
  for (auto& list : spikes) list.clear();
  for (std::size_t r = 0; r < ranks; ++r) {
    auto next = all_spikes_.begin() + at[r];
    for (std::size_t p = 0; p < populations; ++p) {
      const int count = all_spike_counts_[r * populations + p];
      spikes[p].insert(spikes[p].end(), next, next + count);
      next += count;
    }
  }
}

std::vector<double> MpiCommunicator::gather(std::span<const double> local) {
  const Stopwatch stopwatch(traffic_);
  const std::vector<int> all = counts(as_count(local.size(), "gather"), false);
  const std::vector<int> at = displacements(all);
  std::vector<double> out(rank_ == 0 ? static_cast<std::size_t>(at.back() + all.back()) : 0);
  check(MPI_Gatherv(local.data(), static_cast<int>(local.size()), MPI_DOUBLE, out.data(), all.data(), at.data(),
                    MPI_DOUBLE, 0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  return out;
}

void MpiCommunicator::broadcast(std::vector<double>& values) {
  std::uint64_t n = values.size();
  check(MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
  values.resize(static_cast<std::size_t>(n));
  check(MPI_Bcast(values.data(), as_count(values.size(), "broadcast"), MPI_DOUBLE, 0, MPI_COMM_WORLD), "MPI_Bcast");
}

std::vector<double> MpiCommunicator::scatter(const std::vector<double>& whole, std::size_t local_count) {
  const std::vector<int> all = counts(as_count(local_count, "scatter"), false);
  const std::vector<int> at = displacements(all);
  if (rank_ == 0 && static_cast<std::size_t>(at.back() + all.back()) > whole.size())
    throw InternalError(fmt::format("scatter of {} values to ranks that hold {}", whole.size(), at.back() + all.back()));
  std::vector<double> out(local_count);
  check(MPI_Scatterv(whole.data(), all.data(), at.data(), MPI_DOUBLE, out.data(), static_cast<int>(local_count),
                     MPI_DOUBLE, 0, MPI_COMM_WORLD),
        "MPI_Scatterv");
  return out;
}

// Set by the launchers psst knows (Open MPI's mpirun, MPICH's Hydra, Slurm's PMIx).
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

}  // namespace

bool mpi_built() { return true; }

MpiSession::MpiSession(int& argc, char**& argv) {
  if (!launched_by_mpi()) return;
  // Open MPI waits for messages by polling; without this it spins without ever giving
  // up the core, so on a machine with more runnable processes than cores a waiting rank
  // takes the time slices the rank it waits for needs (measured: COBAHH, 4 000 neurons on
  // 2 ranks, up to 2x slower on a loaded 2-core machine). With it, the poll calls sched_yield,
  // which costs nothing when no other process wants the core. `--mca
  // mpi_yield_when_idle 0` (or the variable set to 0) still turns it off.
  setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  active_ = true;
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiSession::~MpiSession() {
  int finalized = 0;
  if (active_ && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized) MPI_Finalize();
}

void MpiSession::abort(int status) const {
  if (active_) MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);
}

std::unique_ptr<Communicator> make_communicator() {
  int initialized = 0, finalized = 0;
  check(MPI_Initialized(&initialized), "MPI_Initialized");
  check(MPI_Finalized(&finalized), "MPI_Finalized");
  if (initialized && !finalized) return std::make_unique<MpiCommunicator>();
  return std::make_unique<SingleProcess>();
}

}  // namespace psst::comm

#else  // built without MPI: one process

namespace psst::comm {

bool mpi_built() { return false; }
MpiSession::MpiSession(int&, char**&) {}
MpiSession::~MpiSession() = default;
void MpiSession::abort(int status) const { std::_Exit(status); }
std::unique_ptr<Communicator> make_communicator() { return std::make_unique<SingleProcess>(); }

}  // namespace psst::comm

#endif
