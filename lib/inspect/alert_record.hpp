// Opens an EVE `alert` record for the flow being processed (common fields, app_proto once known);
// shared by rule alerts and detector alerts. The caller writes the alert and closes the record.
#pragma once

#include "inspect/flow_context.hpp"
#include "inspect/record_output.hpp"

namespace postern::inspect {

inline output::JsonWriter &begin_alert_record(RecordOutput &out, const FlowContext &flow) {
    output::JsonWriter &w = out.begin_record();
    output::begin_eve_record(w, flow.ts_ns, output::EveType::Alert, flow.flow_id, flow.in_iface, flow.endpoints,
                             flow.protocol == proto::Protocol::Unknown ? std::string_view()
                                                                       : proto::protocol_name(flow.protocol));
    return w;
}

}  // namespace postern::inspect
