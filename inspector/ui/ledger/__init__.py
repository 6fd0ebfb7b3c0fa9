"""The ledger: the findings list, filters, detail, actions, review queue, 随手拍 and exports."""
