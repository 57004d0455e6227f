-- Every release year of the movies the chat picks from, to tell an era the catalogue has from one it lacks.
SELECT DISTINCT year FROM gold.movies_catalog WHERE year IS NOT NULL ORDER BY year
