// Commands by protocol and verb. The parsers' verb enums are the closed label sets of
// postern_app_commands_total{protocol,verb}; a command outside them counts as "other". One per
// worker, written by it, read by the control plane.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "proto/events.hpp"
#include "proto/protocol.hpp"
#include "util/counter.hpp"

namespace postern::inspect {

class CommandCounters {
public:
    static constexpr size_t kProtocols = 5;  // proto::Protocol values
    static constexpr size_t kMaxVerbs = 64;

    // `verb` as the parser reports it ("MAIL", "UID FETCH": the command after UID counts).
    void add(const proto::CommandEvent &command);

    // Labels of a protocol: index 0 is "other", then the verbs in enum order. 0 for protocols
    // without commands.
    static size_t verb_count(proto::Protocol protocol);
    static std::string_view verb_label(proto::Protocol protocol, size_t index);
    uint64_t get(proto::Protocol protocol, size_t index) const;

private:
    std::array<std::array<util::Counter, kMaxVerbs>, kProtocols> counts_;
};

}  // namespace postern::inspect
