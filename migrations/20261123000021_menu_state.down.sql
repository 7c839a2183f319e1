DROP FUNCTION menu_state(text);
