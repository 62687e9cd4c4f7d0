"""Pages: the approvals queue and caseloads."""
