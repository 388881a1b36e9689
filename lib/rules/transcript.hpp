// Short protocol transcripts in rule tests: lines "C: ..." (client) and "S: ..." (server), each
// sent with CRLF, run through the real protocol parser so a test sees exactly what the worker
// would see.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/events.hpp"
#include "stream/direction.hpp"

namespace postern::rules {

using TranscriptChunks = std::vector<std::pair<stream::Direction, std::string>>;

// Whether run_transcript() has a parser for the protocol.
bool transcript_supported(proto::Protocol p);

// Adds one "C: text" / "S: text" line (a bare "C:" is an empty line), joining it to the previous
// chunk when the direction is the same. False when the line has no valid prefix.
bool append_transcript_line(TranscriptChunks &chunks, std::string_view line);

// Feeds the chunks to a fresh parser for `p` reporting to `sink`, then ends both directions.
void run_transcript(proto::Protocol p, const TranscriptChunks &chunks, proto::EventSink &sink);

}  // namespace postern::rules
