// Enums that are written out by name (EVE fields, metric labels, rule files) are declared from ONE
// X-macro list of (Enumerator, "name") pairs, which makes both the enum and its name table: the
// compiler cannot check the order of a table written apart from its enum, and a switch per enum
// repeats every enumerator once more. (The anomaly enums do the same with a third column, see
// proto/common/anomaly_table.hpp.)
//
//   #define POSTERN_RULE_LEVELS(X) X(Informational, "informational") X(Low, "low") ...
//   POSTERN_NAMED_ENUM(Level, POSTERN_RULE_LEVELS);
//
// declares enum class Level : uint8_t { Informational, Low, ... } and kLevelNames, the names in enum
// order; POSTERN_NAMED_ENUM_COUNTED also ends the enum with Count (which has no name). A list may
// carry more columns after the name for tables of its own (file_magic.hpp). Inside a list, comments
// are /* */: the list is one backslash-continued line.
//
// util::enum_name(kLevelNames, l, "unknown") is a value's name, or the given fallback for a value
// outside the enum, so a corrupted byte still prints something.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#define POSTERN_ENUM_VALUE(id, name, ...) id,
#define POSTERN_ENUM_NAME(id, name, ...) name,
#define POSTERN_NAMED_ENUM(Type, LIST)                                             \
    enum class Type : uint8_t { LIST(POSTERN_ENUM_VALUE) };                        \
    inline constexpr std::string_view k##Type##Names[] = {LIST(POSTERN_ENUM_NAME)}
#define POSTERN_NAMED_ENUM_COUNTED(Type, LIST)                                     \
    enum class Type : uint8_t { LIST(POSTERN_ENUM_VALUE) Count };                  \
    inline constexpr std::string_view k##Type##Names[] = {LIST(POSTERN_ENUM_NAME)}

namespace postern::util {

template <class Enum, size_t N>
constexpr std::string_view enum_name(const std::string_view (&names)[N], Enum e, std::string_view unknown) {
    const auto i = static_cast<size_t>(e);
    return i < N ? names[i] : unknown;
}

}  // namespace postern::util
