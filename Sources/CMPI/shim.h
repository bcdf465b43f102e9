// Open MPI C API (Debian: libopenmpi-dev, pkg-config ompi-c; mpirun from openmpi-bin).
// MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE, …) are macros over the addresses of
// global objects, which Swift cannot import; the inline functions below expose them by value.
#include <mpi.h>

static inline MPI_Comm phasemask_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm phasemask_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype phasemask_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype phasemask_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype phasemask_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype phasemask_mpi_int(void) { return MPI_INT; }
static inline MPI_Op phasemask_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op phasemask_mpi_max(void) { return MPI_MAX; }
static inline void *phasemask_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *phasemask_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int phasemask_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int phasemask_mpi_success(void) { return MPI_SUCCESS; }
static inline int phasemask_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
