// What goes into the summary streams, and which stream a summary goes to. Each stream entry
// has two fields: `p`, the producer's name, and `m`, one message: a summary (with the roles the
// receiving shard plays for it), a clock (the producer will send nothing decided before it) or
// the end of the producer's run. Explicit little-endian encoding, versioned, so appliances
// and consumers need not share a build.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "detect/history_detectors.hpp"
#include "detect/session_summary.hpp"

namespace postern::share {

enum class MessageKind : uint8_t { Summary = 0, Clock = 1, End = 2 };

struct Message {
    MessageKind kind = MessageKind::Summary;
    uint8_t roles = detect::kBothRoles;  // Summary: which detectors the receiving shard runs
    uint64_t clock_ns = 0;  // Clock and End: the producer's horizon
    detect::SessionSummary summary;  // Summary only
};

inline constexpr size_t kMaxMessageBytes = 256;

// Encodes into `out` (kMaxMessageBytes), returns the length.
size_t encode(const Message &m, char *out);
std::optional<Message> decode(std::string_view bytes);

// The shard of a session's client (its address) and of its account (the user name); every
// appliance computes the same ones.
uint32_t client_shard(const detect::SessionSummary &s, uint32_t shards);
uint32_t user_shard(const detect::SessionSummary &s, uint32_t shards);

// Where a summary goes: its client's shard, and its user's shard when that is another; each
// copy with the history roles the receiving shard plays for it (one or two routes).
struct Route {
    uint32_t shard;
    uint8_t roles;
};
struct Routes {
    Route route[2];
    size_t count;
};
Routes shard_routes(const detect::SessionSummary &s, uint32_t shards);

std::string shard_stream(const std::string &prefix, uint32_t shard);  // "<prefix>:{<shard>}"

// "<host>-<pid>": a producer's or consumer's default name, unique per run.
std::string host_and_pid();

}  // namespace postern::share
