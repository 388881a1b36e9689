// Names of the rule enums as written in rule files, and the EVE severity of a level.
#pragma once

#include <cstdint>
#include <string_view>

#include "rules/rule.hpp"

namespace postern::rules {

std::string_view level_name(Level l);
std::string_view status_name(Status s);
std::string_view action_name(Action a);
std::string_view track_name(TrackBy t);  // "by_src", "by_dst", "by_user"

// EVE alert.severity: 1 (critical, high), 2 (medium), 3 (low, informational).
constexpr int eve_severity(Level l) {
    return l >= Level::High ? 1 : l == Level::Medium ? 2 : 3;
}

}  // namespace postern::rules
