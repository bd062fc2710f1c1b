/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 4306,
  wakeup_ns: 3871,
  blk_request_ns: 1479,
  blk_complete_ns: 582,
  irqfd_notify_ns: 930,
  main_loop_iteration_ns: 4268,
  main_loop_request_ns: 219,
  native_submit_batch_ns: 1563,
  io_uring_enter_ns: 1710,
  threads_submit_req_ns: 2073
};
