"""Reports: the scorecard PDF and the monthly appraisal."""
