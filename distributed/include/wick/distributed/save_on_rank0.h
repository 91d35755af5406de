// Checkpoints in a distributed run: one rank writes, every rank learns whether it worked.
//   wick::distributed::save_on_rank0(*world, [&] { wick::save(model, "runs/model.safetensors"); });
//   wick::load(model, "runs/model.safetensors");  // any rank, afterwards (the file on a shared file system)
// Rank 0 runs `write` while the others wait for it in a collective (under the group's timeout). Then every rank
// returns, or every rank throws the same wick::Error, naming rank 0 and the write's own message, so that no rank
// goes on to load a file that was not written. wick's savers write a temporary file and rename it into place:
// the file is never seen half-written, and a failed save leaves the previous one as it was.
#pragma once

#include <functional>

#include "wick/distributed/process_group.h"

namespace wick::distributed {

void save_on_rank0(ProcessGroup& group, const std::function<void()>& write);

}  // namespace wick::distributed
