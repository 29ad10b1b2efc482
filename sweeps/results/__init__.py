"""After the study: the winner tested once and packaged, the sweep summarised, the top trials
ranked from the tracking store."""
