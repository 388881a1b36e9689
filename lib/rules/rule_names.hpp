// Names of the rule enums as written in rule files, and the EVE severity of a level.
#pragma once

#include <cstdint>
#include <string_view>

#include "rules/rule.hpp"

namespace postern::rules {

constexpr std::string_view level_name(Level l) { return util::enum_name(kLevelNames, l, "unknown"); }
constexpr std::string_view status_name(Status s) { return util::enum_name(kStatusNames, s, "unknown"); }
constexpr std::string_view action_name(Action a) { return util::enum_name(kActionNames, a, "unknown"); }
// "by_src", "by_dst", "by_user"
constexpr std::string_view track_name(TrackBy t) { return util::enum_name(kTrackByNames, t, "unknown"); }

// EVE alert.severity: 1 (critical, high), 2 (medium), 3 (low, informational).
constexpr int eve_severity(Level l) {
    return l >= Level::High ? 1 : l == Level::Medium ? 2 : 3;
}

}  // namespace postern::rules
